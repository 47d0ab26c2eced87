// The hello world handler: an API Gateway proxy answer with a JSON body.
export const lambdaHandler = async () => {
  const response = {
    statusCode: 200,
    body: JSON.stringify({
      message: "hello world",
    }),
  };

  return response;
};
